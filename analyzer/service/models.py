"""Request and response models of the HTTP API; they are also its OpenAPI schema.

Responses mirror ``allyship analyze --format json`` exactly (SPEC.md's flag),
so a client can switch between the CLI and the service without a second parser.
A flag's schema is :class:`analyzer.flags.FlagJSON` itself, the shape
``Flag.to_dict`` writes, so the documented fields cannot drift from the real ones.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from analyzer.flags import FlagJSON


class AnalyzeRequest(BaseModel):
    """One text (``text``) or several (``texts``), not both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Calm down, it was just a joke."}, {"texts": ["Man up.", "Thanks!"]}]},
    )

    text: str | None = Field(default=None, description="One text to analyze.")
    texts: list[str] | None = Field(default=None, description="Several texts; the results come back in this order.")

    @model_validator(mode="after")
    def _one_of(self) -> AnalyzeRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give either 'text' or 'texts'")
        return self


class Summary(BaseModel):
    flag_count: int
    categories: dict[str, int]


class AnalyzeResult(BaseModel):
    """The JSON of ``allyship analyze --format json``."""

    flags: list[FlagJSON]
    summary: Summary


class BatchResult(BaseModel):
    results: list[AnalyzeResult]


class CategoryModel(BaseModel):
    id: str
    label: str
    description: str
    strategies: list[str]
    barriers: list[str]
    roles: list[str]
    builtin: bool


class CategoriesResponse(BaseModel):
    categories: list[CategoryModel]


class ArticleReference(BaseModel):
    id: str
    title: str
    summary: str
    section: str


class StrategiesResponse(BaseModel):
    source: str
    strategies: list[ArticleReference]
    barriers: list[ArticleReference]
    roles: list[ArticleReference]


class Health(BaseModel):
    status: str
    rules: int
    categories: int
    model: str | None


class ErrorBody(BaseModel):
    type: str
    message: str


class ErrorResponse(BaseModel):
    """Every error: a 4xx status and one line that says what to change."""

    error: ErrorBody
