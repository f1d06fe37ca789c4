"""After the gathering: an anonymous evaluation of it, its personal links, reminders and results."""
