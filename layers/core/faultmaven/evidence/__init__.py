"""Evidence: files attached to a case, checked, classified, analysed, stored (blob + metadata) and served back."""
