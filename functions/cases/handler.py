from faultmaven.http.lambda_handler import make_handler
from functions.cases.app import app

handler = make_handler(app, "cases")
