"""One compiler per event type a function's `events:` list can hold.

Each module named here has `compile(stack: Stack, service: Service, uses: list[EventUse])`,
called once with every use of its type across all functions (one HTTP API holds every
function's `httpApi` routes), in the order the functions and their events are written.
"""

from __future__ import annotations

# event type -> the module under events/ that compiles it
COMPILERS: dict[str, str] = {
    "httpApi": "http_api",
    "http": "rest_api",
    "websocket": "websocket",
    "sqs": "sqs",
    "sns": "sns",
    "s3": "s3",
    "schedule": "schedule",
    "eventBridge": "event_bridge",
    "stream": "stream",
}

# Types the framework knows that need a service Overcast does not have: refused by name.
REFUSED: dict[str, str] = {
    "alb": "Application Load Balancer events need Elastic Load Balancing, which Overcast lacks",
    "cloudFront": "CloudFront events (Lambda@Edge) need CloudFront, which Overcast lacks",
    "cognitoUserPool": "Cognito user pool triggers need Cognito, which Overcast lacks",
    "alexaSkill": "Alexa Skills Kit events need Alexa, which Overcast lacks",
    "alexaSmartHome": "Alexa Smart Home events need Alexa, which Overcast lacks",
    "iot": "IoT rules need AWS IoT, which Overcast lacks",
    "iotFleetProvisioning": "IoT fleet provisioning needs AWS IoT, which Overcast lacks",
    "cloudwatchLog": "CloudWatch Logs subscription filters are not supported yet",
    "msk": "Amazon MSK events need Kafka, which Overcast lacks",
    "kafka": "Kafka events need a Kafka cluster, which Overcast lacks",
    "activemq": "Amazon MQ events need Amazon MQ, which Overcast lacks",
    "rabbitmq": "Amazon MQ events need Amazon MQ, which Overcast lacks",
}
