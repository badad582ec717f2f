"""IAM's policy language: documents, matching, conditions and evaluation, with no store and
no HTTP, and no service: IAM's authorizer, STS (trust policies) and every service that takes a
resource policy use it. The IAM authorizer calls `evaluate` once per IAM action a request
needs."""
