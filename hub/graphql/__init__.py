"""The GraphQL layer: schema assembly, context, pagination, masking, error mapping."""
