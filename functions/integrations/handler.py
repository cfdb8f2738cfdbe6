from faultmaven.http.lambda_handler import make_handler
from functions.integrations.app import app

handler = make_handler(app, "integrations")
