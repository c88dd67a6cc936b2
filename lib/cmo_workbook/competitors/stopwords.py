"""Stopword lists for key-term extraction (German hand-kept, English from scikit-learn).

Words are lower case; they are matched against both the token and its lemma.
"""
from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

GERMAN = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anders auch auf aus
bei beim bin bis bist da dabei dadurch dafür dagegen daher dahin damit dann daran darauf daraus darin darum darunter
das dass daß dazu dein deine deinem deinen deiner dem den denen denn der deren des deshalb dessen die dies diese
diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines einig einige einigem einigen einiger
einiges einmal er es etwa etwas euch euer eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich
ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in indem ins ist ja jede jedem jeden jeder jedes jene jenem
jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man manche manchem manchen
mancher manches mehr mein meine meinem meinen meiner meines mit muss musste nach nicht nichts noch nun nur ob oder
ohne sehr sein seine seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll
sollte sondern sonst über um und uns unser unsere unserem unseren unserer unseres unter viel vom von vor wann war
waren warum was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird
wirst wo wollen wollte würde würden zu zum zur zwar zwischen bzw sowie ihr ihre jetzt neu neue neuen neuer neues
heute mal schon ganz bereits z.b zb ca inkl
""".split())

ENGLISH = frozenset(ENGLISH_STOP_WORDS) | frozenset({"new", "s", "t", "ll", "ve", "re", "d", "m"})

BY_LANGUAGE: dict[str, frozenset[str]] = {"de": GERMAN, "en": ENGLISH}
