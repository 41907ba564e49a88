-- County scale (issue 12): the lists read households in township order and by number, so
-- an index in that order lets a page of 50 be read without sorting the county; the
-- townships are walked in their order.
CREATE INDEX households_township_number ON households (township_id, number);
CREATE INDEX townships_sort ON townships (sort_order);
