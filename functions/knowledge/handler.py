from faultmaven.http.lambda_handler import make_handler
from functions.knowledge.app import app

handler = make_handler(app, "knowledge")
