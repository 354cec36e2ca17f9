"""The bottom layer, which every package may read: records, categories, organisations, the city
profile and the clock, the store (store/), the parsers (intake/) and text understanding (text/);
the demo's data files live in demo/."""
