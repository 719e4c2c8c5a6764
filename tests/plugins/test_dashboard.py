"""The dashboard panel contract (plugins.dashboard): a panel is added only for
the users its permission check admits, renders in the shared frame with its
figure cards, and brings the dashboard's stylesheet."""

from django.test import RequestFactory
from django.utils.translation import gettext_lazy as _

from plugins.dashboard import DashboardPanel, Detail, Figure
from tests.factories import UserFactory


class ShelvesPanel(DashboardPanel):
    name = "shelves"
    order = 170
    heading = "Corredores"
    icon = "pick"

    @classmethod
    def user_can_see(cls, user):
        return user.has_perm("plugins.view_audit_log")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["figures"] = [
            Figure("Cheios", 3, url="/admin/shelves/?full=true", key="full"),
            Figure(
                _("Late orders"),
                2,
                alert=True,
                key="late",
                details=(Detail("Desde ontem", 1, key="since"),),
            ),
        ]
        return context


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_panel_is_added_only_for_users_it_admits(manager, editor, superuser):
    for user, shown in ((manager, True), (editor, False), (superuser, True)):
        panels = []
        ShelvesPanel.add_to_homepage(request_for(user), panels)
        assert [type(p) for p in panels] == ([ShelvesPanel] if shown else []), user


def test_the_base_panel_is_hidden_unless_a_subclass_says_otherwise(superuser):
    class Bare(DashboardPanel):
        name = "bare"

    panels = []
    Bare.add_to_homepage(request_for(superuser), panels)
    assert panels == []


def test_a_panel_renders_its_figures_in_the_shared_frame(db):
    panel = ShelvesPanel(request_for(UserFactory(username="x")))
    html = panel.render_html({})
    assert 'id="shelves-section"' in html
    assert "Corredores" in html
    assert 'href="/admin/shelves/?full=true"' in html
    assert 'class="rg-figure rg-figure--alert" data-figure="late"' in html
    assert 'data-detail="since"' in html
    assert "Atrasados" in html  # labels are translated (pt-BR)
    assert "plugins/dashboard/dashboard.css" in str(panel.media)
