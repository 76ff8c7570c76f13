"""The monthly job, written once against :class:`xlgrade.job.book.Book`."""
