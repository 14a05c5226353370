-- Progress reporting, indicators and warnings (filled in by the progress work).
SELECT 1;
