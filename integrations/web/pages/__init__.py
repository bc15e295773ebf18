"""The workspace's pages, one module per page (like ``integrations/api/routes``)."""
