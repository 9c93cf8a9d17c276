lookup_table.v
lookup.v
