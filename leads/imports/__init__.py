"""CSV import of leads: the upload, the streamed processing, the error report."""
