"""The seeded objection library, shipped with the code (no seeding step: use counts live in the table).

Ids are stable slugs: rule books and use counters refer to them, so never rename one; add new ones.
"""

from __future__ import annotations

from functools import lru_cache

from shared.objections.models import Objection

# (id, category, language, trigger_text, rebuttal_template)
_SEED: tuple[tuple[str, str, str, str, str], ...] = (
    ("price-too-expensive", "price", "en", "It's too expensive.",
     "I understand. Many customers felt that way until they saw what {business} saves them each month. "
     "May I share what is included for the price?"),
    ("price-cheaper-elsewhere", "price", "en", "I can get it cheaper elsewhere.",
     "That's fair to check. Compared like for like, {business} includes support and no hidden fees. "
     "What price did you see, so I can compare honestly?"),
    ("price-no-budget", "price", "en", "We don't have the budget right now.",
     "Understood. Would a smaller plan or paying in instalments make it workable, or should I check back "
     "when your budget is set?"),
    ("price-want-discount", "price", "en", "Can you give me a discount?",
     "Let me see what I am allowed to offer; if it needs approval I will check with the team while you hold."),
    ("price-paise-nahi", "price", "hi", "Paise nahi hain abhi.",
     "Main samajh sakti hoon. Kya aasaan kishton mein payment karna aapke liye theek rahega?"),
    ("price-mehenga", "price", "hi", "Bahut mehenga hai.",
     "Samajh gayi. {business} mein jo milta hai uske hisaab se yeh kaafi kam hai. Kya main batau kya kya "
     "shaamil hai?"),
    ("timing-busy-now", "timing", "en", "I'm busy right now.",
     "Sorry to catch you at a bad time. It takes under two minutes; or I can call back when it suits you. "
     "Which do you prefer?"),
    ("timing-not-now", "timing", "en", "Now is not a good time.",
     "No problem. When would be a better time for a two-minute call?"),
    ("timing-driving", "timing", "en", "I'm driving.",
     "Please stay safe. I will call back later; what time works for you?"),
    ("timing-abhi-time-nahi", "timing", "hi", "Abhi time nahi hai.",
     "Koi baat nahi. Aapko kab call karna theek rahega? Bas do minute lagenge."),
    ("timing-baad-mein", "call_back_later", "hi", "Baad mein call karna.",
     "Zaroor. Aap bataiye kis samay call karun, main tab call karungi."),
    ("callback-call-later", "call_back_later", "en", "Call me back later.",
     "Of course. What day and time suit you best?"),
    ("callback-next-week", "call_back_later", "en", "Try me next week.",
     "Happy to. Which day next week, morning or afternoon?"),
    ("callback-send-email", "call_back_later", "en", "Just send me an email.",
     "I can do that. To send the right details, may I ask one quick question first?"),
    ("authority-ask-spouse", "authority", "en", "I need to talk to my spouse first.",
     "That makes sense. Would it help if I called back when you are both available?"),
    ("authority-not-decision-maker", "authority", "en", "I'm not the one who decides.",
     "Thanks for telling me. Who would be the right person, and when is a good time to reach them?"),
    ("authority-ask-boss", "authority", "en", "I have to check with my manager.",
     "Of course. Shall I send a short summary you can forward, and follow up later this week?"),
    ("authority-ghar-wale", "authority", "hi", "Ghar walon se poochna padega.",
     "Bilkul, yeh sahi hai. Kya main kal call karun jab aap unse baat kar lein?"),
    ("need-not-interested", "need", "en", "I'm not interested.",
     "I understand. May I ask what you use today, so I don't call about something you don't need?"),
    ("need-dont-need-it", "need", "en", "I don't need this.",
     "Fair enough. Many customers said the same before they saw how {business} helps; can I share one "
     "example in 20 seconds?"),
    ("need-happy-as-is", "need", "en", "We're happy with how things are.",
     "Glad to hear it. If anything changes, {business} is here; may I leave you a short summary?"),
    ("need-zaroorat-nahi", "need", "hi", "Mujhe iski zaroorat nahi hai.",
     "Theek hai, main samajh gayi. Kya main ek minute mein bata sakti hoon ki yeh kaise madad karta hai?"),
    ("competitor-already-use-other", "competitor", "en", "We already use another provider.",
     "Good to know. What do you like most about them? Many of our customers switched for our support."),
    ("competitor-under-contract", "competitor", "en", "We're under contract with someone else.",
     "Understood. When does it end? I can call a few weeks before so you can compare."),
    ("competitor-better-offer", "competitor", "en", "Another company offered me a better deal.",
     "Thanks for telling me. May I hear the offer? If I can match it within my limits, I will say so."),
    ("trust-is-this-scam", "trust", "en", "Is this a scam?",
     "A fair question. I am an automated assistant calling for {business}; you can verify us on our "
     "official website or call the number on your bill."),
    ("trust-how-got-number", "trust", "en", "How did you get my number?",
     "You shared it with {business} as a customer. If you would rather not get calls, say stop and we "
     "will remove it."),
    ("trust-are-you-robot", "trust", "en", "Am I talking to a robot?",
     "Yes, I am an AI assistant calling for {business}. I can help with most questions, or arrange a "
     "call from a person."),
    ("trust-fraud-hindi", "trust", "hi", "Yeh fraud call hai kya?",
     "Nahi, yeh {business} ki taraf se ek automated call hai. Aap hamari official website par verify kar "
     "sakte hain."),
    ("paid-already-paid", "already_paid", "en", "I already paid.",
     "Thank you. Payments can take a day or two to show; may I note the date and method so we can "
     "confirm it?"),
    ("paid-paid-yesterday", "already_paid", "en", "I paid yesterday.",
     "Thank you for paying. I will mark it for confirmation; you won't get another reminder once it clears."),
    ("paid-kar-diya", "already_paid", "hi", "Maine payment kar diya hai.",
     "Dhanyavaad. Kis tareeke se aur kis din kiya tha, taaki hum confirm kar sakein?"),
    ("optout-stop-calling", "opt_out", "en", "Stop calling me.",
     "Of course. I have removed your number and {business} will not call you again. Goodbye."),
    ("optout-remove-me", "opt_out", "en", "Remove me from your list.",
     "Done. Your number is on our do-not-call list from now on. Sorry for the trouble, goodbye."),
    ("optout-dont-call", "opt_out", "en", "Don't call me again.",
     "Understood. You will not get any more calls from {business}. Goodbye."),
    ("optout-call-mat-karo", "opt_out", "hi", "Mujhe call mat karo.",
     "Bilkul. Aapka number hata diya gaya hai, ab {business} se call nahi aayega. Dhanyavaad."),
    ("optout-dobara-call-mat", "opt_out", "hi", "Dobara call mat karna.",
     "Theek hai, aapko ab call nahi kiya jayega. Maaf kijiye, dhanyavaad."),
    ("optout-devanagari", "opt_out", "hi", "मुझे कॉल मत करो।",
     "ठीक है, आपका नंबर हटा दिया गया है। अब आपको कॉल नहीं आएगा। धन्यवाद।"),
    ("language-hindi-please", "language", "hi", "Hindi mein baat karo.",
     "Zaroor, main Hindi mein baat karti hoon. Kya aap abhi do minute baat kar sakte hain?"),
    ("language-english-please", "language", "en", "Can you speak English?",
     "Of course, let's continue in English."),
    ("language-dont-understand", "language", "en", "I don't understand.",
     "Sorry, let me say it more simply."),
    ("payment-extension", "payment_difficulty", "en", "Can I get more time to pay?",
     "I understand. I can't change the due date myself, but I can ask the team now; please hold a moment."),
    ("payment-lost-job", "payment_difficulty", "en", "I lost my job and can't pay.",
     "I'm sorry to hear that. There may be options such as a payment plan; may I ask the team for you?"),
    ("payment-salary-late", "payment_difficulty", "hi", "Salary abhi nahi aayi.",
     "Samajh sakti hoon. Salary kab tak aayegi? Main us din ka reminder set kar deti hoon."),
    ("info-send-details", "information", "en", "Send me the details first.",
     "Sure. Shall I send them by SMS or WhatsApp to this number?"),
    ("info-what-is-this", "information", "en", "What is this about?",
     "I'm calling from {business} about your account; it will take two minutes."),
)


@lru_cache(maxsize=1)
def seeded_objections() -> tuple[Objection, ...]:
    return tuple(Objection(id=id_, category=category, language=language, trigger_text=trigger,
                           rebuttal_template=rebuttal)
                 for id_, category, language, trigger, rebuttal in _SEED)


def by_id() -> dict[str, Objection]:
    return {objection.id: objection for objection in seeded_objections()}
