#!/usr/bin/env python3
"""Writes testdata/sample/reddit/RS_2013-05.zst and RC_2013-05.zst: a handful
of submissions and comment threads written for curate's tests, in Pushshift's
2013-era schema and quirks (created_utc as int or string, edited as false or a
float timestamp, "/" escaped as "\\/", zstd --long=31 like the real dumps).

usage: make_reddit_sample.py OUT_DIR   (needs the zstd CLI)
"""
import json, subprocess, sys

T0 = 1367366400  # 2013-05-01T00:00:00Z
subs = [
    # id, subreddit, author, score, title, selftext, url, over_18
    ("1dhq2a", "AskHistorians", "quill_and_ink", 412,
     "How did medieval ships navigate before the magnetic compass reached Europe?",
     "I have read that Norse sailors crossed to Iceland and Greenland long before the compass was common. "
     "What did they actually use to keep a heading on open water, and how reliable was it?", None, False),
    ("1dhr7k", "programming", "gopher_at_heart", 1287,
     "Why we rewrote our log pipeline in Go and cut memory use by 80%", "",
     "http://engineering.example.com/2013/05/log-pipeline-in-go.html", False),
    ("1dhs1x", "science", "lab_notes", 2231,
     "Researchers report a battery electrode that survives 10,000 charge cycles", "",
     "http://www.example-news.org/science/2013/05/battery-electrode-cycles?ref=rss&amp;utm_source=reddit", False),
    ("1dht9c", "Cooking", "saltandsmoke", 56,
     "What is the one technique that improved your cooking the most?",
     "For me it was learning to salt meat a day ahead. It changed roast chicken completely. "
     "Curious what made the biggest difference for everyone else.", None, False),
    ("1dhu3f", "pics", "sunset_chaser", 3310, "The view from my office window this morning", "",
     "http://i.imgur.com/Xk4dQ2b.jpg", False),
    ("1dhv8m", "AskReddit", "throwaway_8841", 1, "[removed]", "[removed]", None, False),
    ("1dhw2p", "programming", "lowkarma_poster", 2, "My first blog post about linked lists", "",
     "http://blog.example.net/linked-lists-part-1", False),
    ("1dhx5q", "gonewild", "nsfw_account", 120, "[F] first post, be nice", "",
     "http://i.imgur.com/abc123.jpg", True),
    ("1dhy7r", "books", "marginalia", 88,
     "Finished Middlemarch after three tries. It was worth it.",
     "The first hundred pages nearly lost me again, but once Lydgate and Dorothea's stories start to cross it is "
     "hard to put down. Eliot's narrator is funny in a way nobody warned me about.", None, False),
]
# id, link, parent (None = top level), author, score, body, created as string?, edited
comments = [
    ("c9qa001", "1dhq2a", None, "sagas_reader", 220,
     "Mostly the sun, the stars and a great deal of accumulated knowledge. Norse sailors kept a latitude by the height of the "
     "sun at noon and by the Pole Star at night, and they ran along a known latitude until they hit land. The sagas also mention "
     "birds, whales and the colour of the water as signs that land was near.", False, 1367400000.0),
    ("c9qa002", "1dhq2a", "c9qa001", "quill_and_ink", 45,
     "Thank you! Is the 'sunstone' real, or is that a later legend?", True, False),
    ("c9qa003", "1dhq2a", "c9qa002", "sagas_reader", 98,
     "It is mentioned in a few sources, and there is an experimental argument that a calcite crystal can locate the sun through "
     "cloud by polarisation. Whether it was used routinely is still debated.", False, False),
    ("c9qa004", "1dhq2a", None, "AutoModerator", 3,
     "Welcome to /r/AskHistorians. Please remember that top-level answers must be in-depth and sourced.", False, False),
    ("c9qa005", "1dhq2a", None, "[deleted]", 12, "[deleted]", False, False),
    ("c9qa006", "1dhq2a", "c9qa005", "harbour_master", 30,
     "Replying to the deleted comment: no, the Vikings did not have charts in the modern sense. Routes were remembered and told.", True, False),
    ("c9qa007", "1dhq2a", None, "casual_reader", 1, "great question", False, False),
    ("c9qb001", "1dhr7k", None, "jvm_veteran", 310,
     "The headline number mostly comes from dropping the object-per-line design, not from the language. You would get most of "
     "this in Java with a byte-buffer parser too.", False, False),
    ("c9qb002", "1dhr7k", "c9qb001", "gopher_at_heart", 140,
     "Fair point, and we say so in the post. Go made the streaming version the easy one to write, which is why we got there.", True, 1367450000.5),
    ("c9qb003", "1dhr7k", "c9qb002", "jvm_veteran", 75,
     "That I can agree with. Defaults matter more than benchmarks.", False, False),
    ("c9qb004", "1dhr7k", None, "sre_on_call", 52,
     "How did you handle backpressure when the downstream store was slow? That is where our last rewrite fell over.", False, False),
    ("c9qc001", "1dhs1x", None, "chem_postdoc", 880,
     "Cycle count is only half of it: the paper reports capacity at a very low charge rate. At realistic rates the retention "
     "figure drops a lot. Still a nice result for the electrode chemistry.", False, False),
    ("c9qc002", "1dhs1x", "c9qc001", "curious_undergrad", 64,
     "Could you explain why the charge rate changes the retention so much?", True, False),
    ("c9qc003", "1dhs1x", "c9qc002", "chem_postdoc", 190,
     "Faster charging means lithium has less time to diffuse into the material, so it plates on the surface and side reactions "
     "eat the electrolyte. Each cycle loses a little more capacity.", False, False),
    ("c9qd001", "1dht9c", None, "line_cook_jen", 140,
     "Mise en place. Having everything chopped and measured before the pan is hot took me from stressed to calm overnight.", False, False),
    ("c9qd002", "1dht9c", None, "grandmas_recipes", 88,
     "Tasting as I go. Sounds obvious, but I used to follow recipes to the letter and only taste at the table.", True, False),
    ("c9qd003", "1dht9c", "c9qd001", "saltandsmoke", 20,
     "Same here. Cleaning as you go is the other half of it.", False, False),
    ("c9qd004", "1dht9c", None, "spam_bot_2013", -4, "Check out cheap knives at my site!!!", False, False),
    ("c9qe001", "1dhu3f", None, "window_envy", 512, "I would get nothing done with that view.", False, False),
    ("c9qf001", "1dhy7r", None, "victorian_novels", 40,
     "The Finale is one of the best closing paragraphs in English. 'The growing good of the world is partly dependent on "
     "unhistoric acts' gets me every time.", False, False),
    ("c9qf002", "1dhy7r", "c9qf001", "marginalia", 15,
     "Yes! I read that last page twice.", True, False),
]

def sub_json(s, i):
    sid, sr, au, sc, title, self_, url, nsfw = s
    is_self = url is None
    return {
        "archived": False, "author": au, "author_flair_css_class": None, "author_flair_text": None,
        "created_utc": T0 + 3600 * i, "distinguished": None,
        "domain": ("self." + sr) if is_self else url.split("/")[2], "downs": 0, "edited": False,
        "gilded": 0, "hide_score": False, "id": sid, "is_self": is_self, "link_flair_css_class": None,
        "link_flair_text": None, "media": None, "media_embed": {}, "name": "t3_" + sid,
        "num_comments": sum(1 for c in comments if c[1] == sid), "over_18": nsfw,
        "permalink": f"/r/{sr}/comments/{sid}/{title.lower().replace(' ', '_')[:40]}/",
        "quarantine": False, "retrieved_on": 1440000000 + i, "saved": False, "score": sc,
        "secure_media": None, "secure_media_embed": {}, "selftext": self_, "stickied": False,
        "subreddit": sr, "subreddit_id": "t5_2" + sr.lower()[:5], "thumbnail": "self" if is_self else "default",
        "title": title, "ups": sc,
        "url": f"http://www.reddit.com/r/{sr}/comments/{sid}/" if is_self else url,
    }

def com_json(c, i):
    cid, link, parent, au, sc, body, as_string, edited = c
    sr = next(s[1] for s in subs if s[0] == link)
    created = T0 + 3600 * 2 + 60 * i
    return {
        "archived": False, "author": au, "author_flair_css_class": None, "author_flair_text": None,
        "body": body, "controversiality": 0, "created_utc": str(created) if as_string else created,
        "distinguished": "moderator" if au == "AutoModerator" else None, "downs": 0, "edited": edited,
        "gilded": 0, "id": cid, "link_id": "t3_" + link, "name": "t1_" + cid,
        "parent_id": ("t1_" + parent) if parent else ("t3_" + link), "retrieved_on": 1440000000 + i,
        "score": sc, "score_hidden": False, "subreddit": sr, "subreddit_id": "t5_2" + sr.lower()[:5], "ups": sc,
    }

def write(path, records, escape_slash):
    lines = []
    for r in records:
        line = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
        lines.append(line.replace("/", "\\/") if escape_slash else line)
    raw = ("\n".join(lines) + "\n").encode()
    subprocess.run(["zstd", "-q", "-f", "-19", "--long=31", "-o", path], input=raw, check=True)

out = sys.argv[1]
write(out + "/RS_2013-05.zst", [sub_json(s, i) for i, s in enumerate(subs)], True)
write(out + "/RC_2013-05.zst", [com_json(c, i) for i, c in enumerate(comments)], False)
