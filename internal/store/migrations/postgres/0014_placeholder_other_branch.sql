-- local placeholder (not committed): another helper's migration 0014
SELECT 1;
