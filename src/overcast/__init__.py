"""Overcast: a self-hosted serverless platform that speaks AWS Lambda's interfaces."""
