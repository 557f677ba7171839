"""The correction loop of the village rosters (还数于村): cadres' corrections landed, reviewed, measured."""
