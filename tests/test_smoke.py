from tests.conftest import text_of


def test_signed_in_team_member_sees_their_team_on_home(world, sign_in):
    client = sign_in(world.member_a)
    response = client.get("/")
    assert response.status_code == 200
    assert "Team A" in text_of(response)
    assert "Team B" not in text_of(response)
