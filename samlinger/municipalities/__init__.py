"""The municipality register: each municipality's number, names, language decision and Sami area."""
