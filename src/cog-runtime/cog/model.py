"""`cog.BaseModel`: structured outputs declared as class annotations, as in Cog (not pydantic)."""

import dataclasses
import typing


class BaseModel:
    """Every subclass becomes a dataclass: declare fields as annotations, return an instance.

    `class Output(BaseModel, auto_dataclass=False)` leaves the class alone, for users who manage
    the dataclass themselves; extra keywords (`frozen=True`, ...) go to `dataclasses.dataclass`.
    """

    _cog_auto_dataclass = True

    def __init_subclass__(cls, *, auto_dataclass: bool = True, init: bool = True, **options: typing.Any) -> None:
        super().__init_subclass__()
        primary = cls.__bases__[0]
        if not issubclass(primary, BaseModel):
            raise TypeError('Primary base class of "{}" must inherit from BaseModel'.format(cls.__name__))
        if not auto_dataclass and primary is not BaseModel and primary._cog_auto_dataclass:
            raise ValueError('Primary base class of "{}" ("{}") has auto_dataclass=True, but "{}" has '
                             'auto_dataclass=False. This creates broken field inheritance.'.format(
                                 cls.__name__, primary.__name__, cls.__name__))
        for base in cls.__bases__[1:]:
            if dataclasses.is_dataclass(base):
                raise TypeError('Cannot mixin dataclass "{}" while inheriting from `BaseModel`'.format(base.__name__))
        cls._cog_auto_dataclass = auto_dataclass
        if auto_dataclass:
            dataclasses.dataclass(init=init, **options)(cls)
