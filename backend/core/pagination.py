from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination; `?page_size=` is honoured up to `max_page_size`."""

    page_size_query_param = "page_size"
    max_page_size = 200
