"""Overcast: a self-hosted serverless platform that speaks AWS Lambda\x27s interfaces."""
