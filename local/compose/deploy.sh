#!/bin/sh
# Deploy the FaultMaven stack into a local AWS emulator (MiniStack or LocalStack): build the Lambda code for the
# interpreter that will run it, bootstrap CDK, deploy, and write the stack outputs (ApiUrl, ...) to a JSON file.
# The docker compose profiles run it as their one-shot `deploy` service; tests/e2e runs it against MiniStack.
#
# Environment (defaults in brackets):
#   EMULATOR_URL        the emulator as this script reaches it                       [http://localhost:4566]
#   FUNCTIONS_ENDPOINT  the emulator as the deployed functions reach it; the API URL is built on it  [EMULATOR_URL]
#   AWS_REGION          [us-east-1]         STAGE  dev or prod [dev]
#   PYTHON              the interpreter that runs the CDK app and builds the code   [.venv/bin/python, else python3]
#   CDK                 the CDK CLI (npm package aws-cdk)                             [cdk]
#   BUILD_DIR           where scripts/build_layers.py --host writes the code         [build/lambda-host]
#   BUILD_ARGS          scripts/build_layers.py arguments [--host: MiniStack runs the code on its own interpreter,
#                       which is this one; empty: Lambda's platform, for emulators that run the real runtime images]
#   KEEP_DEPS=1         reuse an existing dependency layer (delete BUILD_DIR/deps to refresh it)
#   OUTPUTS             the stack outputs file                                        [BUILD_DIR/outputs.json]
#   CDK_OUT             the synthesized cloud assembly                                [BUILD_DIR/cdk.out]
#   OPENSEARCH_URL      an OpenSearch the functions can reach (the compose profiles' container)
#   S3VECTORS_URL       else an S3 Vectors API the functions can reach (tests/e2e starts a stand-in); neither: no
#                       vector index, so the knowledge base answers with a configuration error
#   Embeddings come from the ONNX model in its own layer (-c embedder=onnx): emulators have no Bedrock.
#   REGISTRATION        who may sign up: open (a self-host box), invite or closed      [open]
#   EXTRA_CONTEXT       more `-c key=value` arguments for cdk deploy
set -eu

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$ROOT"
EMULATOR_URL=${EMULATOR_URL:-http://localhost:4566}
FUNCTIONS_ENDPOINT=${FUNCTIONS_ENDPOINT:-$EMULATOR_URL}
REGION=${AWS_REGION:-us-east-1}
STAGE=${STAGE:-dev}
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
CDK=${CDK:-cdk}
BUILD_DIR=${BUILD_DIR:-build/lambda-host}
OUTPUTS=${OUTPUTS:-$BUILD_DIR/outputs.json}
CDK_OUT=${CDK_OUT:-$BUILD_DIR/cdk.out}

# LocalStack's image refuses to start without an account token since March 2026; say so before a long wait.
if curl -fsS "$EMULATOR_URL/_localstack/health" 2>/dev/null | grep -q '"edition"' \
   && ! curl -fsS "$EMULATOR_URL/_ministack/health" >/dev/null 2>&1; then
  echo "deploy: LocalStack detected. The stack needs HTTP API v2 and CDK asset deployment, which its free tier" \
       "lacks: expect the deploy to fail there unless your LOCALSTACK_AUTH_TOKEN is on a plan that has them" \
       "(or use the ministack profile)." >&2
fi

if [ "${KEEP_DEPS:-}" = 1 ]; then KEEP=--keep-deps; else KEEP=; fi
# shellcheck disable=SC2086 # BUILD_ARGS is a list of arguments
"$PYTHON" scripts/build_layers.py ${BUILD_ARGS---host} --out "$BUILD_DIR" $KEEP

# The emulator's fixed account and keys; nothing here may reach a real AWS account.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_ENDPOINT_URL="$EMULATOR_URL" AWS_ENDPOINT_URL_S3="$EMULATOR_URL" AWS_ACCESS_KEY_ID=test \
       AWS_SECRET_ACCESS_KEY=test AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION" \
       CDK_DISABLE_CLI_TELEMETRY=true JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

# Bootstrap from an empty folder: next to cdk.json the CLI would synthesize the whole app first (~30 s) for nothing.
BOOT=$(mktemp -d)
(cd "$BOOT" && "$CDK" bootstrap "aws://000000000000/$REGION" --no-notices --progress events)
rmdir "$BOOT"

# No OpenSearch Serverless (emulators reject AWS::OpenSearchServerless::*): the operator's OpenSearch, or none.
if [ -n "${OPENSEARCH_URL:-}" ]; then
  VECTORS="-c vector_index=external -c opensearch_url=$OPENSEARCH_URL"
elif [ -n "${S3VECTORS_URL:-}" ]; then
  VECTORS="-c vector_index=s3vectors -c s3vectors_endpoint_url=$S3VECTORS_URL"
else
  VECTORS="-c vector_index=none"
fi
# cdk-nag runs in tests/infra; here it would only slow the deploy down. No dashboard hosting: emulators do not
# emulate CloudFront.
# shellcheck disable=SC2086 # VECTORS and EXTRA_CONTEXT are lists of arguments
"$CDK" deploy --app "$PYTHON -m infra_cdk.app" --output "$CDK_OUT" --no-notices --require-approval never \
  --progress events --outputs-file "$OUTPUTS" \
  -c stage="$STAGE" $VECTORS -c embedder=onnx -c nag=false -c dashboard=false -c build_dir="$BUILD_DIR" \
  -c aws_endpoint_url="$FUNCTIONS_ENDPOINT" -c registration="${REGISTRATION:-open}" ${EXTRA_CONTEXT:-}
echo "deploy: outputs in $OUTPUTS"
