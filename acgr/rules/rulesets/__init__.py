"""The built-in rule sets (R7), TOML files read by :func:`acgr.rules.ruleset.load_rules`."""
