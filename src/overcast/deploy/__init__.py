"""Applications deployed from a project's own description: `serverless/` turns a Serverless
Framework project (`serverless.yml`) into a CloudFormation template for Overcast's own
CloudFormation, as the framework's `package` step does."""
