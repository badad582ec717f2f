"""IAM's policy language: documents, matching, conditions and evaluation, with no store and
no HTTP. The IAM authorizer calls `evaluate` once per IAM action a request needs."""
