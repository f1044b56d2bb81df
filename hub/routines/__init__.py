"""The county plan's routines: tasks with deadlines, created by triggers from routines.yaml."""
