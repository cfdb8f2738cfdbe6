from faultmaven.http.lambda_handler import make_handler
from functions.meta.app import app

handler = make_handler(app, "meta")
