import factory
from django.contrib.auth import get_user_model

from plugins.roles import role_group
from tests.shelves_plugin.models import Shelf


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name", locale="pt_BR")
    password = factory.django.Password("senha-de-teste")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for key in extracted or ():
            group = role_group(key)
            assert group is not None, f"role {key} was not synced"
            self.groups.add(group)


class ShelfFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shelf
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"c{n:02d}")
    name = factory.LazyAttribute(lambda s: f"Corredor {s.code.upper()}")
    capacity = 10
    units = 0
