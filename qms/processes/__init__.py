"""The process map: macro-processes, processes, leaders and members."""
