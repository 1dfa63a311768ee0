package demo

// The demo Carte: offices with real opening hours where a seed document gives them (Cerveteri,
// seed 000), people responsible, and services written the way a comune's social services
// would write them. Addresses of offices other than those in the seeds are plausible, not
// real; e-mail addresses use example.it.

type office struct {
	Slug, Name, Description, Address, CAP, City, Phone, Email, PEC string
	MainDesk                                                       bool
	// Hours by ISO weekday: "09:00-12:00" intervals.
	Hours map[int][]string
}

type person struct{ Name, Role, Area, Email, Phone, Office string }

type standard struct {
	Dimension, Description, Indicator, Formula string
	Target                                     float64
	Unit                                       string
	HigherIsBetter                             bool
}

type service struct {
	Slug, Title, Category string
	Macro                 int
	Short, Description    string
	Audience, HowTo       string
	Needed                string
	Items                 []string
	Obtained, Timing      string
	CostKind, CostText    string
	Office                string
	Conditions, Contacts  string
	Unit, Person          string
	Providers             string
	Coverage              string
	Topics, Keywords      []string
	Standards             []standard
}

type carta struct {
	Offices  []office
	People   []person
	Services []service
}

// segretariato is the one-stop desk every comune has.
func segretariato(office, person string) service {
	return service{
		Slug: "segretariato-sociale", Title: "Segretariato sociale", Category: "ACC", Macro: 1,
		Short:       "Informazioni, orientamento e primo ascolto su tutti i servizi sociali e socio-sanitari del territorio.",
		Description: "Il Segretariato sociale è la porta di accesso ai servizi sociali: ascolta la richiesta, informa sui servizi e sulle prestazioni disponibili, orienta verso l'ufficio competente e, quando serve, avvia la presa in carico da parte dell'assistente sociale.",
		Audience:    "Tutti i cittadini residenti, le famiglie, le associazioni e gli enti del terzo settore che cercano informazioni o aiuto in campo sociale.",
		HowTo:       "Vieni allo sportello negli orari di apertura, senza appuntamento, oppure telefona per fissare un colloquio con l'assistente sociale.",
		Needed:      "Per il primo colloquio basta un documento di identità. Se hai già un'attestazione ISEE, portala: velocizza le pratiche successive.",
		Items:       []string{"Documento di identità valido", "Attestazione ISEE, se disponibile"},
		Obtained:    "Informazioni chiare sui servizi adatti alla tua situazione, l'orientamento all'ufficio giusto e, quando necessario, un colloquio con l'assistente sociale.",
		Timing:      "Il primo colloquio con l'assistente sociale è fissato entro 7 giorni lavorativi dalla richiesta.",
		CostKind:    "gratuito", Office: office,
		Conditions: "Il servizio è gratuito e rispetta la riservatezza delle persone. I dati personali sono trattati secondo il Regolamento (UE) 2016/679.",
		Contacts:   "Per informazioni rivolgiti allo sportello negli orari di apertura.",
		Unit:       "Servizio Sociale professionale", Person: person,
		Topics:   []string{"Assistenza sociale", "Accesso all'informazione"},
		Keywords: []string{"sportello", "informazioni", "assistente sociale", "primo ascolto"},
		Standards: []standard{
			{"tempestivita", "Primo colloquio con l'assistente sociale entro 7 giorni lavorativi dalla richiesta", "Richieste con primo colloquio entro 7 giorni lavorativi", "richieste con colloquio entro 7 gg / richieste totali × 100", 90, "%", true},
			{"accessibilita", "Sportello aperto almeno 20 ore alla settimana", "Ore di apertura settimanali", "somma delle ore di apertura al pubblico", 20, "ore", true},
		},
	}
}

var contents = map[string]carta{
	"ambito-putignano": {
		Offices: []office{{
			Slug: "ufficio-di-piano", Name: "Ufficio di Piano dell'Ambito", MainDesk: true,
			Description: "Coordina i servizi sociali associati dei comuni dell'ambito.",
			Address:     "Via Roma 8", CAP: "70017", City: "Putignano", Phone: "080 4056111",
			Email: "ufficiodipiano@ambito-putignano.example.it", Hours: map[int][]string{1: {"09:00-13:00"}, 3: {"09:00-13:00"}, 4: {"15:30-17:30"}},
		}},
		People: []person{{"Anna Lorusso", "Coordinatrice dell'Ufficio di Piano", "Programmazione sociale di ambito", "ufficiodipiano@ambito-putignano.example.it", "080 4056120", "ufficio-di-piano"}},
		Services: []service{
			{
				Slug: "assistenza-domiciliare-integrata", Title: "Assistenza domiciliare integrata (ADI)", Category: "ELD", Macro: 2, Coverage: "ambito",
				Short:       "Cure e assistenza a casa per persone anziane o non autosufficienti, insieme alla ASL.",
				Description: "L'assistenza domiciliare integrata unisce le prestazioni sanitarie della ASL e quelle sociali dei comuni (igiene della persona, aiuto nelle attività quotidiane) per permettere alla persona di restare nella propria casa.",
				Audience:    "Persone anziane o con non autosufficienza, anche temporanea, residenti in uno dei comuni dell'ambito, valutate dall'Unità di valutazione multidimensionale.",
				HowTo:       "1. Chiedi l'attivazione al Segretariato sociale del tuo comune o al medico di famiglia.\n2. L'Unità di valutazione multidimensionale (UVM) valuta il bisogno a domicilio.\n3. Viene definito il piano di assistenza individuale con te e la tua famiglia.",
				Needed:      "La domanda compilata e la documentazione sanitaria.",
				Items:       []string{"Domanda di accesso", "Certificato del medico di famiglia", "Attestazione ISEE socio-sanitaria"},
				Obtained:    "Un piano di assistenza individuale con interventi a domicilio di operatori socio-sanitari e infermieri.",
				Timing:      "La valutazione a domicilio avviene entro 15 giorni dalla domanda; il servizio parte entro 30 giorni.",
				CostKind:    "isee", CostText: "La quota sociale è gratuita sotto i 10.000 euro di ISEE; oltre, è prevista una compartecipazione secondo il regolamento di ambito.",
				Conditions: "Il servizio è regolato dal Regolamento di ambito per i servizi domiciliari. La compartecipazione al costo è calcolata sull'ISEE socio-sanitario.",
				Unit:       "Ufficio di Piano dell'Ambito", Person: "Anna Lorusso", Providers: "Cooperative sociali accreditate presso l'ambito",
				Topics: []string{"Assistenza sociale", "Assistenza agli invalidi"}, Keywords: []string{"ADI", "anziani", "domicilio", "non autosufficienza", "UVM"},
				Standards: []standard{{"tempestivita", "Valutazione a domicilio entro 15 giorni dalla domanda", "Domande valutate entro 15 giorni", "domande valutate entro 15 gg / domande × 100", 85, "%", true}},
			},
			{
				Slug: "centro-antiviolenza", Title: "Centro antiviolenza", Category: "VIOL", Macro: 1, Coverage: "ambito",
				Short:       "Ascolto, accoglienza e protezione per donne che subiscono violenza, anche in forma anonima.",
				Description: "Il centro antiviolenza offre ascolto telefonico e colloqui di accoglienza, consulenza legale e psicologica, accompagnamento ai servizi e, nei casi di pericolo, l'inserimento in una casa rifugio.",
				Audience:    "Donne, anche con figli minori, che subiscono o hanno subito violenza fisica, psicologica, economica o sessuale.",
				HowTo:       "Telefona al centro o al numero nazionale **1522** (gratuito, attivo 24 ore su 24). Puoi anche presentarti di persona: il primo colloquio è riservato.",
				Needed:      "Non serve alcun documento per il primo contatto.",
				Obtained:    "Ascolto, un percorso personalizzato di uscita dalla violenza, consulenze gratuite e, se necessario, protezione.",
				Timing:      "Il primo colloquio è fissato entro 48 ore dalla chiamata.",
				CostKind:    "gratuito",
				Conditions:  "Tutte le attività sono gratuite e coperte dal segreto professionale.",
				Contacts:    "Numero nazionale antiviolenza e stalking: [1522](tel:1522).",
				Unit:        "Ufficio di Piano dell'Ambito", Person: "Anna Lorusso", Providers: "Associazione iscritta all'albo regionale dei centri antiviolenza",
				Topics: []string{"Assistenza sociale", "Integrazione sociale"}, Keywords: []string{"violenza", "donne", "1522", "protezione"},
				Standards: []standard{{"tempestivita", "Primo colloquio entro 48 ore dalla chiamata", "Colloqui entro 48 ore", "colloqui entro 48 h / richieste × 100", 95, "%", true}},
			},
			{
				Slug: "affido-familiare", Title: "Affido familiare", Category: "FAM", Macro: 3, Coverage: "ambito",
				Short:       "Accoglienza temporanea di un minore in una famiglia quando la sua non può occuparsene.",
				Description: "L'affido familiare offre a un bambino o a un ragazzo una famiglia che lo accoglie per un periodo, mentre la famiglia d'origine viene aiutata a superare le difficoltà.",
				Audience:    "Famiglie, coppie e persone singole disponibili all'accoglienza; minori e famiglie in difficoltà seguiti dai servizi sociali.",
				HowTo:       "Contatta l'équipe affidi dell'ambito per un colloquio informativo; seguirà un percorso di conoscenza e formazione.",
				Needed:      "Per dare la disponibilità all'affido: il modulo di disponibilità e un documento di identità.",
				Items:       []string{"Modulo di disponibilità all'affido", "Documento di identità"},
				Obtained:    "Per le famiglie affidatarie: formazione, accompagnamento dell'équipe e un contributo economico mensile.",
				Timing:      "Il colloquio informativo è fissato entro 15 giorni dalla richiesta.",
				CostKind:    "gratuito",
				Conditions:  "L'affido è disposto dai servizi sociali con il consenso della famiglia d'origine o dal Tribunale per i minorenni.",
				Unit:        "Équipe affido e adozioni dell'Ambito", Person: "Anna Lorusso",
				Topics: []string{"Assistenza sociale", "Nascita"}, Keywords: []string{"affido", "minori", "famiglie", "accoglienza"},
			},
		},
	},
	"putignano": {
		Offices: []office{{
			Slug: "servizi-sociali", Name: "Servizi Sociali del Comune", MainDesk: true,
			Address: "Via Roma 8", CAP: "70017", City: "Putignano", Phone: "080 4056111",
			Email: "servizisociali@comune.putignano.example.it", PEC: "protocollo@pec.comune.putignano.example.it",
			Hours: map[int][]string{1: {"09:00-12:00"}, 2: {"09:00-12:00", "16:00-18:00"}, 3: {"09:00-12:00"}, 4: {"09:00-12:00", "16:00-18:00"}, 5: {"09:00-12:00"}},
		}},
		People: []person{{"Rosa Intini", "Responsabile del Servizio Sociale", "Welfare d'accesso, minori, disabili, anziani", "servizisociali@comune.putignano.example.it", "080 4056130", "servizi-sociali"}},
		Services: []service{
			segretariato("servizi-sociali", "Rosa Intini"),
			{
				Slug: "trasporto-sociale-disabili", Title: "Trasporto sociale per persone con disabilità", Category: "DIS", Macro: 2,
				Short:       "Accompagnamento con mezzi attrezzati verso centri diurni, terapie e scuole.",
				Description: "Il servizio accompagna le persone con disabilità che non possono usare i mezzi pubblici verso i centri di riabilitazione, i centri diurni e le scuole.",
				Audience:    "Persone con disabilità certificata (legge 104/1992) residenti a Putignano.",
				HowTo:       "Presenta la domanda ai Servizi Sociali indicando i tragitti e gli orari richiesti.",
				Needed:      "Alla domanda allega:",
				Items:       []string{"Certificazione di disabilità (legge 104/1992)", "Attestazione ISEE", "Calendario delle terapie o della frequenza"},
				Obtained:    "Il trasporto andata e ritorno con mezzo attrezzato e accompagnatore.",
				Timing:      "Il servizio è attivato entro 20 giorni dalla domanda completa.",
				CostKind:    "isee", CostText: "Gratuito fino a 8.000 euro di ISEE; oltre, 1 euro a viaggio.",
				Office: "servizi-sociali", Conditions: "Il servizio è svolto nei giorni feriali, dalle 7:30 alle 18:30, nel territorio dell'ambito.",
				Unit: "Servizi Sociali del Comune", Person: "Rosa Intini",
				Topics: []string{"Assistenza agli invalidi", "Trasporto pubblico"}, Keywords: []string{"trasporto", "disabilità", "104"},
			},
		},
	},
	"noci": {
		Offices: []office{{
			Slug: "sportello-sociale", Name: "Sportello sociale", MainDesk: true,
			Address: "Via Sansonetti 15", CAP: "70015", City: "Noci", Phone: "080 4948111",
			Email: "servizisociali@comune.noci.example.it", Hours: map[int][]string{1: {"09:00-12:00"}, 3: {"09:00-12:00"}, 5: {"09:00-12:00"}},
		}},
		People:   []person{{"Giuseppe Laera", "Assistente sociale", "Segretariato sociale", "servizisociali@comune.noci.example.it", "080 4948150", "sportello-sociale"}},
		Services: []service{segretariato("sportello-sociale", "Giuseppe Laera")},
	},
	"alberobello": {
		Offices: []office{{
			Slug: "sportello-sociale", Name: "Sportello sociale", MainDesk: true,
			Address: "Piazza del Popolo 31", CAP: "70011", City: "Alberobello", Phone: "080 4036211",
			Email: "servizisociali@comune.alberobello.example.it", Hours: map[int][]string{2: {"09:00-12:00"}, 4: {"09:00-12:00", "15:30-17:30"}},
		}},
		People:   []person{{"Maria De Carlo", "Assistente sociale", "Segretariato sociale", "servizisociali@comune.alberobello.example.it", "080 4036250", "sportello-sociale"}},
		Services: []service{segretariato("sportello-sociale", "Maria De Carlo")},
	},
	"cerveteri": {
		Offices: []office{
			{
				Slug: "servizi-sociali", Name: "Servizi Sociali — Piazza Risorgimento", MainDesk: true,
				Description: "Informazioni, consulenze e segretariato sociale per persone in stato di bisogno, terzo settore ed enti pubblici.",
				Address:     "Piazza Risorgimento 1", CAP: "00052", City: "Cerveteri", Phone: "06 896301",
				Email: "servizisociali@comune.cerveteri.example.it", PEC: "comunecerveteri@pec.example.it",
				// Seed 000: Monday to Friday 9-12, Tuesday and Thursday also 15:30-17:30.
				Hours: map[int][]string{1: {"09:00-12:00"}, 2: {"09:00-12:00", "15:30-17:30"}, 3: {"09:00-12:00"}, 4: {"09:00-12:00", "15:30-17:30"}, 5: {"09:00-12:00"}},
			},
			{
				Slug: "sportello-cerenova", Name: "Sportello di Cerenova", Address: "Via Fontana Morella 12", CAP: "00052", City: "Cerveteri",
				Phone: "06 89630300", Hours: map[int][]string{3: {"09:00-12:00"}},
			},
		},
		People: []person{
			{"Laura Bianchi", "Responsabile del Servizio Sociale", "Servizi sociali", "servizisociali@comune.cerveteri.example.it", "06 89630210", "servizi-sociali"},
			{"Marco Ricci", "Assistente sociale", "Anziani e disabili", "anziani@comune.cerveteri.example.it", "06 89630215", "servizi-sociali"},
		},
		Services: []service{
			segretariato("servizi-sociali", "Laura Bianchi"),
			{
				Slug: "assistenza-domiciliare-anziani", Title: "Assistenza domiciliare per anziani (SAD)", Category: "ELD", Macro: 2,
				Short:       "Aiuto a casa nelle attività quotidiane per persone anziane sole o con poca autonomia.",
				Description: "Operatori qualificati aiutano la persona nella cura di sé e della casa, nelle piccole commissioni e nei rapporti con i servizi, per sostenerne l'autonomia e prevenire il ricovero.",
				Audience:    "Persone con più di 65 anni residenti a Cerveteri, sole o con familiari che non possono assisterle, con autonomia ridotta.",
				HowTo:       "1. Chiedi un colloquio al Segretariato sociale.\n2. L'assistente sociale fa una visita a domicilio.\n3. Firmi il piano di assistenza con gli orari e le attività.",
				Needed:      "Alla domanda allega:",
				Items:       []string{"Documento di identità", "Attestazione ISEE in corso di validità", "Certificato del medico di famiglia sulle condizioni di salute"},
				Obtained:    "Da 2 a 10 ore settimanali di assistenza a domicilio, secondo il piano concordato.",
				Timing:      "La visita a domicilio avviene entro 15 giorni dalla domanda. Le domande sono valutate in ordine di arrivo e di bisogno.",
				CostKind:    "isee", CostText: "Gratuito fino a 7.500 euro di ISEE; tra 7.500 e 20.000 euro si paga una quota oraria da 2 a 8 euro; oltre, 12 euro l'ora.",
				Office: "servizi-sociali", Conditions: "Il servizio è regolato dal Regolamento comunale per l'assistenza domiciliare (delibera di Consiglio comunale). Il piano di assistenza è rivisto ogni sei mesi.",
				Unit: "Servizio Sociale professionale", Person: "Marco Ricci", Providers: "Cooperativa sociale aggiudicataria del servizio",
				Topics: []string{"Assistenza sociale"}, Keywords: []string{"SAD", "anziani", "domicilio", "badante", "assistenza"},
				Standards: []standard{
					{"tempestivita", "Visita a domicilio entro 15 giorni dalla domanda", "Domande con visita entro 15 giorni", "visite entro 15 gg / domande × 100", 90, "%", true},
					{"efficacia", "Piani di assistenza rivisti almeno ogni sei mesi", "Piani rivisti nei tempi", "piani rivisti entro 6 mesi / piani attivi × 100", 100, "%", true},
				},
			},
			{
				Slug: "contributo-economico-famiglie", Title: "Contributo economico per famiglie in difficoltà", Category: "POV", Macro: 5,
				Short:       "Un aiuto economico temporaneo per spese essenziali come affitto, utenze e alimenti.",
				Description: "Il contributo aiuta i nuclei familiari in temporanea difficoltà economica, all'interno di un progetto concordato con l'assistente sociale.",
				Audience:    "Nuclei familiari residenti a Cerveteri con ISEE non superiore a 9.360 euro.",
				HowTo:       "Presenta la domanda al protocollo o allo sportello dei Servizi Sociali; l'assistente sociale ti contatterà per un colloquio.",
				Needed:      "Alla domanda allega:",
				Items:       []string{"Attestazione ISEE in corso di validità", "Documento di identità", "Ricevute delle spese per cui chiedi il contributo"},
				Obtained:    "Un contributo una tantum fino a 600 euro, o mensile per un massimo di sei mesi.",
				Timing:      "La risposta arriva entro 30 giorni dalla domanda completa.",
				CostKind:    "gratuito", Office: "servizi-sociali",
				Conditions: "I contributi sono concessi nei limiti del bilancio comunale, secondo il Regolamento per i contributi economici.",
				Unit:       "Servizio Sociale professionale", Person: "Laura Bianchi",
				Topics: []string{"Assistenza sociale"}, Keywords: []string{"contributo", "affitto", "bollette", "povertà", "sostegno economico"},
				Standards: []standard{{"tempestivita", "Risposta alla domanda entro 30 giorni", "Domande con risposta entro 30 giorni", "risposte entro 30 gg / domande × 100", 95, "%", true}},
			},
			{
				Slug: "centro-estivo-ragazzi", Title: "Centro estivo per ragazzi", Category: "FAM", Macro: 3,
				Short:       "Attività educative e ricreative nei mesi di luglio e agosto per ragazzi dai 6 ai 14 anni.",
				Description: "Il centro estivo offre giochi, laboratori, sport e gite in un ambiente educativo, per sostenere le famiglie che lavorano durante l'estate.",
				Audience:    "Ragazze e ragazzi dai 6 ai 14 anni residenti a Cerveteri.",
				HowTo:       "Iscriviti allo sportello di Cerenova o ai Servizi Sociali entro la scadenza indicata nell'avviso.",
				Needed:      "Il modulo di iscrizione e l'attestazione ISEE per le riduzioni.",
				Items:       []string{"Modulo di iscrizione", "Attestazione ISEE (per le riduzioni)"},
				Obtained:    "La frequenza al centro estivo dal lunedì al venerdì, dalle 8:30 alle 16:30, pranzo compreso.",
				Timing:      "Iscrizioni dal 1° al 31 maggio; il centro è aperto dal 1° luglio al 31 agosto.",
				CostKind:    "isee", CostText: "Quota settimanale da 20 a 60 euro secondo l'ISEE; gratuito per i ragazzi con disabilità.",
				Office: "sportello-cerenova", Conditions: "I posti sono assegnati secondo la graduatoria pubblicata entro il 15 giugno.",
				Unit: "Servizio Sociale professionale", Person: "Laura Bianchi",
				Topics: []string{"Tempo libero", "Istruzione"}, Keywords: []string{"estate", "ragazzi", "centro estivo", "bambini"},
			},
		},
	},
	"grandate": {
		Offices: []office{{
			Slug: "servizi-sociali", Name: "Servizio Sociale comunale", MainDesk: true,
			Address: "Via Gattoni 1", CAP: "22070", City: "Grandate", Phone: "031 450011",
			Email: "servizisociali@comune.grandate.example.it", Hours: map[int][]string{1: {"09:00-12:30"}, 3: {"09:00-12:30", "14:30-16:30"}, 5: {"09:00-12:30"}},
		}},
		People: []person{{"Paola Colombo", "Assistente sociale", "Servizio Sociale comunale", "servizisociali@comune.grandate.example.it", "031 450020", "servizi-sociali"}},
		Services: []service{
			segretariato("servizi-sociali", "Paola Colombo"),
			{
				Slug: "pasti-a-domicilio", Title: "Pasti a domicilio", Category: "ELD", Macro: 2,
				Short:       "Consegna a casa del pranzo per persone anziane o in difficoltà che non possono prepararlo.",
				Description: "Il servizio consegna ogni giorno feriale un pasto completo, preparato secondo le indicazioni di un dietista, anche per diete particolari.",
				Audience:    "Persone anziane o adulte con ridotta autonomia residenti a Grandate.",
				HowTo:       "Chiedi il servizio al Servizio Sociale comunale; l'assistente sociale valuta la richiesta con te.",
				Needed:      "La domanda e, per le diete particolari, il certificato medico.",
				Items:       []string{"Domanda", "Attestazione ISEE", "Certificato medico per diete particolari"},
				Obtained:    "Un pasto completo consegnato a casa dal lunedì al venerdì.",
				Timing:      "Il servizio parte entro 7 giorni dall'accoglimento della domanda.",
				CostKind:    "isee", CostText: "Da 3 a 6,50 euro a pasto secondo l'ISEE.",
				Office: "servizi-sociali", Conditions: "Il servizio può essere sospeso con un giorno di preavviso, telefonando al Servizio Sociale.",
				Unit: "Servizio Sociale comunale", Person: "Paola Colombo",
				Topics: []string{"Assistenza sociale"}, Keywords: []string{"pasti", "anziani", "domicilio"},
			},
			{
				Slug: "tutela-minori", Title: "Servizio tutela minori", Category: "FAM", Macro: 1,
				Short:       "Protezione e sostegno per bambini e ragazzi in situazioni di rischio, in collaborazione con l'Azienda sociale del distretto.",
				Description: "Il servizio, gestito con l'Azienda Sociale Comuni Insieme del distretto di Lomazzo/Fino Mornasco, interviene su segnalazione o su mandato dell'Autorità giudiziaria per proteggere i minori e sostenere le loro famiglie.",
				Audience:    "Minori residenti a Grandate e le loro famiglie.",
				HowTo:       "Rivolgiti al Servizio Sociale comunale; in caso di urgenza chiama il 112.",
				Needed:      "Non servono documenti per chiedere aiuto.",
				Obtained:    "Valutazione della situazione, un progetto di sostegno alla famiglia e, se necessario, interventi di protezione.",
				Timing:      "Le segnalazioni urgenti sono prese in carico entro 24 ore.",
				CostKind:    "gratuito", Office: "servizi-sociali",
				Conditions: "Il servizio opera secondo le disposizioni dell'Autorità giudiziaria minorile e nel rispetto della riservatezza.",
				Unit:       "Servizio Sociale comunale", Person: "Paola Colombo", Providers: "Azienda Sociale Comuni Insieme",
				Topics: []string{"Assistenza sociale"}, Keywords: []string{"minori", "tutela", "famiglie"},
			},
		},
	},
}
