-- local placeholder (not committed): another helper's migration 0015
SELECT 1;
