-- local placeholder (not committed): another helper's migration 0016
SELECT 1;
