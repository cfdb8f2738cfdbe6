from faultmaven.http.lambda_handler import make_handler
from functions.copilot.app import app

handler = make_handler(app, "copilot")
