from faultmaven.http.lambda_handler import make_handler
from functions.auth.app import app

handler = make_handler(app, "auth")
