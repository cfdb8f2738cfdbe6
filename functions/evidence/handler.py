from faultmaven.http.lambda_handler import make_handler
from functions.evidence.app import app

handler = make_handler(app, "evidence")
