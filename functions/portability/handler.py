from faultmaven.http.lambda_handler import make_handler
from functions.portability.app import app

handler = make_handler(app, "portability")
