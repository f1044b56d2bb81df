"""Children: identity, description (signalement), contacts, placement, asylum, health, risk."""
