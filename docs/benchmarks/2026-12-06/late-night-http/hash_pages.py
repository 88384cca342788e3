# status, redirect target and body sha256 of many page paths, page cache off. usage: hash_pages.py DBURL OUT
import sys, hashlib, json
sys.path[:0] = ["bench"]
from pages import _app, page_sets
from sqlalchemy import text
from despatchbox.store.database import engine_for
from despatchbox.web.pages.common import member_url, debate_url
url, out = sys.argv[1], sys.argv[2]
paths = []
for s in page_sets(url, 42):
    paths += list(s.values())
e = engine_for(url)
with e.connect() as c:
    depts = [r[0] for r in c.execute(text("select slug from departments order by slug"))]
    for d in depts:
        paths += [f"/dept/{d}", f"/dept/{d}?debates_page=2", f"/dept/{d}?statements_page=2&answers_page=3",
                  f"/dept/{d}?answers_page=999", f"/dept/{d}?debates_page=x"]
    for (gid,) in c.execute(text("select id from debates order by date desc, id limit 80")):
        paths.append(debate_url(gid if gid.startswith("uk.org") else "uk.org.publicwhip/" + gid))
    for (slug, house) in c.execute(text("select slug, house from people order by id limit 400")):
        paths.append(member_url(slug, house))
    for (day,) in c.execute(text("select distinct date from debates order by date")):
        paths.append(f"/day/{day}")
    # seed pages of other members in the latest debates
    rows = c.execute(text("select p.slug, p.house, s.debate_id from speeches s join people p on p.id = s.person_id "
                          "group by p.id, s.debate_id order by s.debate_id, p.id limit 300")).all()
    for slug, house, did in rows:
        paths.append(f"{member_url(slug, house)}/debate/{did.lstrip('=')}")
paths += ["/", "/departments", "/members", "/mp/nobody-at-all", "/debate/debate/1900-01-01a.1.1"]
seen = set(); paths = [p for p in paths if not (p in seen or seen.add(p))]
app, client = _app(url)
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
res = {}
for p in paths:
    r = client.get(p, follow_redirects=False, headers={"accept-encoding": "identity"})
    res[p] = [r.status_code, r.headers.get("location"), hashlib.sha256(r.content).hexdigest()]
json.dump(res, open(out, "w"), indent=0)
from collections import Counter
print(len(res), Counter(v[0] for v in res.values()))
