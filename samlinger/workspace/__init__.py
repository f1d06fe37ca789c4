"""The organiser workspace: the dashboard and the mounting of each feature's workspace pages."""
