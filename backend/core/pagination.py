from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination; `?page_size=` is honoured up to `max_page_size` (a larger one is
    capped). A page or page size that is not one whole number of at least 1 is a 400, not
    silently the first page or the default size, as the schema says; a page past the end is a
    404."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        if values:
            try:
                if len(values) > 1 or int(values[0]) < 1:
                    raise ValueError
            except ValueError:
                raise ValidationError({self.page_query_param: ["One whole number, 1 or more."]}) from None
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if values:
            try:
                if len(values) > 1 or int(values[0]) < 1:
                    raise ValueError
            except ValueError:
                raise ValidationError({self.page_size_query_param: ["A whole number, 1 or more."]}) from None
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters
