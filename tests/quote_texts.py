"""Short texts written for the quotation tests in three styles (wire copy, interview, live blog), with every quotation
annotated: (article, kind, first words, speaker words). Names, places and events are invented or generic."""
from __future__ import annotations

from geo.bench_quotes import GoldQuote

WIRE = """NAIROBI, Kenya — Kenya's Finance Ministry said on Thursday that the budget deficit would narrow to 4.3 percent of output next year.

"We are on track to meet every target we set," Treasury Secretary Amina Odhiambo told reporters in Nairobi. "The numbers speak for themselves."

The ministry added that tax revenue had risen by 12 percent in the first half of the year.

Opposition leader Peter Kamau warned that the spending cuts would hurt farmers in the Rift Valley. "This budget punishes the people who feed the nation," he said.

Grain traders will meet the minister on Friday, according to the Cereal Growers Association.

The International Monetary Fund, which lent Kenya money last year, declined to comment.
"""

INTERVIEW = """Lena Halvorsen has run Norway's Coastal Administration for six years. We met her at her office in Bergen.

"We never planned to sell the harbour," Halvorsen said. "The contract was always about maintenance, nothing more."

Asked whether the deal would survive the election, she replied: "That depends on the voters, not on me."

She said the administration would publish the full contract next month.

"People deserve to see every page of it. We have nothing to hide.

"The opposition will find nothing there that they have not already read in the newspapers," she added.

Her deputy, Jonas Berg, was more cautious. "There are clauses we still need to check with the lawyers," Berg said, "and I would not promise a date."
"""

LIVE_BLOG = """Live: snow closes the mountain pass

10:42 Chile's foreign minister, Tomás Herrera, says the border crossing will reopen on Monday at the earliest.

10:58 “Our teams are working through the night to clear the road,” Herrera wrote on social media.

11:15 The Argentine embassy in Santiago said in a statement that buses would be provided for stranded travellers.

11:30 According to the national weather service, snow will keep falling until Sunday evening.

11:47 A police spokeswoman told local radio that two lorries had slid off the road near the tunnel. She said nobody had been hurt.

12:05 “It is the worst storm in a decade,” said Rosa Campos, who runs a hostel in the valley.
"""

TEXTS = {"wire": WIRE, "interview": INTERVIEW, "liveblog": LIVE_BLOG}

GOLD = [
    GoldQuote("wire", "reported", "the budget deficit would narrow", ("Finance Ministry",)),
    GoldQuote("wire", "direct", "We are on track to meet", ("Amina Odhiambo",)),
    GoldQuote("wire", "reported", "tax revenue had risen", ("Finance Ministry",)),
    GoldQuote("wire", "reported", "the spending cuts would hurt", ("Peter Kamau",)),
    GoldQuote("wire", "direct", "This budget punishes the people", ("Peter Kamau",)),
    GoldQuote("wire", "reported", "Grain traders will meet the minister", ("Cereal Growers Association",)),
    GoldQuote("interview", "direct", "We never planned to sell", ("Halvorsen",)),
    GoldQuote("interview", "direct", "That depends on the voters", ("Halvorsen",)),
    GoldQuote("interview", "reported", "the administration would publish", ("Halvorsen",)),
    GoldQuote("interview", "direct", "People deserve to see every page", ("Halvorsen",)),
    GoldQuote("interview", "direct", "There are clauses we still need", ("Jonas Berg",)),
    GoldQuote("liveblog", "reported", "the border crossing will reopen", ("Tomás Herrera",)),
    GoldQuote("liveblog", "direct", "Our teams are working through the night", ("Herrera",)),
    GoldQuote("liveblog", "reported", "buses would be provided", ("Argentine embassy",)),
    GoldQuote("liveblog", "reported", "snow will keep falling", ("national weather service",)),
    GoldQuote("liveblog", "reported", "two lorries had slid off the road", ("police spokeswoman",)),
    GoldQuote("liveblog", "reported", "nobody had been hurt", ("police spokeswoman",)),
    GoldQuote("liveblog", "direct", "It is the worst storm in a decade", ("Rosa Campos",)),
]

# Written after the rules were settled and scored once as they stood: a check that they carry to new texts.
WIRE_2 = """MANILA, Philippines — The Philippine coast guard said on Saturday that a supply boat had reached the shoal despite a blockade.

"Our crew completed the mission safely," coast guard spokesman Rafael Dizon told a news conference. "No one was injured."

China's foreign ministry accused Manila of provoking the incident. The ministry said the boat had entered Chinese waters without permission.

Defence Secretary Gloria Santos said the government would file a diplomatic protest, according to a statement from her office.
"""

INTERVIEW_2 = """Ewa Kowalczyk, 58, has driven trams in Krakow since 1991. She sat down with us after her last shift.

"I started when the city still had the old red cars," Kowalczyk said. "You had to stand the whole day."

What changed most? "The passengers," she said, laughing. "They used to talk to me. Now they look at their phones."

She said she would miss the night routes most of all.
"""

LIVE_BLOG_2 = """Election night: results as they come in

21:04 Turnout reached 71 percent, the electoral commission said.

21:20 “We are confident but we will wait for every vote,” said Marta Lind, the Green party leader.

21:41 Lind tells supporters in Malmo that the party has doubled its seats in the south.

22:15 Prime Minister Johan Ek has conceded defeat, his spokesman said.
"""

HELDOUT_TEXTS = {"wire2": WIRE_2, "interview2": INTERVIEW_2, "liveblog2": LIVE_BLOG_2}

HELDOUT_GOLD = [
    GoldQuote("wire2", "reported", "a supply boat had reached the shoal", ("coast guard",)),
    GoldQuote("wire2", "direct", "Our crew completed the mission", ("Rafael Dizon",)),
    GoldQuote("wire2", "reported", "the boat had entered Chinese waters", ("foreign ministry",)),
    GoldQuote("wire2", "reported", "the government would file", ("Gloria Santos",)),
    GoldQuote("interview2", "direct", "I started when the city", ("Kowalczyk",)),
    GoldQuote("interview2", "direct", "The passengers", ("Kowalczyk",)),
    GoldQuote("interview2", "reported", "she would miss the night routes", ("Kowalczyk",)),
    GoldQuote("liveblog2", "reported", "Turnout reached 71 percent", ("electoral commission",)),
    GoldQuote("liveblog2", "direct", "We are confident but we will wait", ("Marta Lind",)),
    GoldQuote("liveblog2", "reported", "the party has doubled its seats", ("Lind",)),
    GoldQuote("liveblog2", "reported", "Prime Minister Johan Ek has conceded", ("spokesman",)),
]
