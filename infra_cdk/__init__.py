"""The CDK app that deploys FaultMaven to AWS (and into MiniStack for the end-to-end test). Nothing imports it."""
