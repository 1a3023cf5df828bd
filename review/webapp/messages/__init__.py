"""Message catalogues, one module per page (see `review.webapp.i18n`)."""
