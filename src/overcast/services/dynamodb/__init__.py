"""DynamoDB-compatible tables (JSON 1.0, target prefix `DynamoDB_20120810`): items in the wire's
AttributeValue form, expressions, queries and scans, kept in SQLite in DynamoDB's key order."""
