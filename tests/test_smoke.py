def test_login_page_renders(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert "csrf-token" in r.get_data(as_text=True)
