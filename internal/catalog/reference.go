package catalog

import "slices"

// NationalCategory is one of the user categories every tenant starts with: ISTAT's survey of
// comuni's social services, plus VIOL (Regione Lazio's nomenclator) and ACC (welfare d'accesso).
type NationalCategory struct{ Code, Name, Description string }

// NationalCategories in display order.
var NationalCategories = []NationalCategory{
	{"ACC", "Welfare d'accesso e segretariato sociale", "Informazione, orientamento e presa in carico"},
	{"FAM", "Famiglia e minori", "Sostegno alle responsabilità familiari, ai minori e ai giovani"},
	{"DIS", "Persone con disabilità", "Servizi e interventi per persone con disabilità e le loro famiglie"},
	{"ELD", "Anziani", "Servizi e interventi per le persone anziane"},
	{"ADD", "Dipendenze", "Prevenzione e sostegno per persone con dipendenze"},
	{"IMMNOM", "Immigrati, Rom, Sinti e Caminanti", "Accoglienza e integrazione"},
	{"POV", "Povertà, disagio adulti e senza dimora", "Contrasto alla povertà e all'esclusione sociale"},
	{"VIOL", "Donne vittime di violenza", "Prevenzione e contrasto della violenza di genere"},
	{"MULBEN", "Multiutenza", "Servizi rivolti a più categorie di utenti"},
}

// MacroLevels of the national planning (Fondo Nazionale Politiche Sociali), by number.
var MacroLevels = map[int]string{
	1: "Servizi per l'accesso e la presa in carico",
	2: "Servizi e misure per favorire la permanenza a domicilio",
	3: "Servizi per la prima infanzia e servizi territoriali comunitari",
	4: "Servizi territoriali a carattere residenziale per le fragilità",
	5: "Misure di inclusione sociale e di sostegno al reddito",
}

// Dimensions of quality (national guidelines on public-service quality), with Italian labels.
var Dimensions = []struct{ Key, Label string }{
	{"accessibilita", "Accessibilità"},
	{"tempestivita", "Tempestività"},
	{"trasparenza", "Trasparenza"},
	{"efficacia", "Efficacia"},
}

// DimensionLabel is the Italian label of a quality dimension.
func DimensionLabel(key string) string {
	for _, d := range Dimensions {
		if d.Key == key {
			return d.Label
		}
	}
	return key
}

// CostKinds with their Italian labels.
var CostKinds = []struct{ Key, Label string }{
	{"gratuito", "Gratuito"},
	{"fisso", "Tariffa fissa"},
	{"isee", "In base all'ISEE"},
	{"variabile", "Variabile"},
}

// ServiceCategories are the national service categories of the municipal site model; the
// services page links only to these (CONTRACT.md, service-category-link).
var ServiceCategories = []string{
	"Educazione e formazione",
	"Salute, benessere e assistenza",
	"Vita lavorativa",
	"Mobilità e trasporti",
	"Catasto e urbanistica",
	"Anagrafe e stato civile",
	"Turismo",
	"Giustizia e sicurezza pubblica",
	"Tributi, finanze e contravvenzioni",
	"Cultura e tempo libero",
	"Ambiente",
	"Imprese e commercio",
	"Autorizzazioni",
	"Appalti pubblici",
	"Agricoltura e pesca",
}

// Topics are the municipal site model's 64 topics (argomenti), valid values of a service's
// topics (CONTRACT.md, topic-element and service-topic).
var Topics = []string{
	"Accesso all'informazione", "Acqua", "Agricoltura", "Anagrafe", "Animale domestico", "Aria",
	"Assistenza agli invalidi", "Assistenza sociale", "Associazioni", "Bilancio",
	"Commercio al minuto", "Commercio all'ingrosso", "Commercio ambulante",
	"Comunicazione istituzionale", "Comunicazione politica", "Concorsi", "Covid-19", "Elezioni",
	"Energie rinnovabili", "Estero", "Foreste", "Formazione professionale", "Gemellaggi",
	"Gestione rifiuti", "Giustizia", "Igiene pubblica", "Immigrazione", "Imposte", "Imprese",
	"Inquinamento", "Integrazione sociale", "Isolamento termico", "Istruzione", "Lavoro",
	"Matrimonio", "Mercato", "Mobilità sostenibile", "Morte", "Nascita", "Parcheggi",
	"Patrimonio culturale", "Pesca", "Piano di sviluppo", "Pista ciclabile", "PNRR",
	"Politica commerciale", "Polizia", "Prodotti alimentari", "Protezione civile", "Residenza",
	"Risposta alle emergenze", "Sistema giuridico", "Spazio Verde", "Sport",
	"Sviluppo sostenibile", "Tassa sui servizi", "Tempo libero", "Trasparenza amministrativa",
	"Trasporto pubblico", "Turismo", "Urbanizzazione", "Viaggi", "Zone pedonali", "ZTL",
}

// ValidTopic reports whether t is one of the model's topics.
func ValidTopic(t string) bool { return slices.Contains(Topics, t) }

// ValidServiceCategory reports whether c is one of the model's national service categories.
func ValidServiceCategory(c string) bool { return slices.Contains(ServiceCategories, c) }

// DocumentTypes are the file types a service document may have, checked on the content.
var DocumentTypes = map[string]string{
	"application/pdf":                         ".pdf",
	"application/vnd.oasis.opendocument.text": ".odt",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}

// MaxDocumentSize is the largest document accepted (10 MB).
const MaxDocumentSize = 10 << 20

// DefaultSection is a section of the general part every new tenant starts with, in Italian;
// staff edit them before the first publication.
type DefaultSection struct{ Key, Title, Body string }

// DefaultSections of the general part (seed 001, 002, 003). They promise only what the service
// offers today: no page ratings nor online questionnaire until those features exist.
var DefaultSections = []DefaultSection{
	{"principi", "Principi fondamentali", `La Carta dei Servizi Sociali è un patto tra l'ente e i cittadini. I servizi sono erogati nel rispetto dei seguenti principi:

- **Uguaglianza**: i servizi sono erogati senza distinzione di sesso, età, nazionalità, religione, opinioni politiche, condizioni personali e sociali.
- **Imparzialità**: il personale opera con obiettività, giustizia e imparzialità.
- **Continuità**: i servizi sono erogati in modo regolare e continuativo; eventuali interruzioni sono comunicate per tempo e ridotte al minimo.
- **Partecipazione**: i cittadini possono presentare suggerimenti, segnalazioni e reclami e partecipare alla valutazione dei servizi.
- **Efficienza ed efficacia**: le risorse sono impiegate per ottenere il miglior risultato per le persone.
- **Trasparenza**: le informazioni su servizi, tempi, costi e responsabili sono pubbliche e comprensibili.
- **Riservatezza**: i dati personali sono trattati nel rispetto della normativa sulla protezione dei dati.`},
	{"diritti-doveri", "Diritti e doveri dei cittadini", `**I cittadini hanno diritto** a essere informati in modo chiaro sui servizi e sulle modalità di accesso, a essere trattati con cortesia e rispetto, a conoscere il nome del responsabile del procedimento, a presentare reclami e suggerimenti e a ricevere risposta.

**I cittadini si impegnano** a fornire informazioni complete e veritiere, a rispettare gli appuntamenti o a disdirli per tempo, e a collaborare con gli operatori nel rispetto reciproco.`},
	{"reclami", "Come presentare un reclamo", `Chiunque può presentare un reclamo sull'erogazione di un servizio, in forma scritta e firmata, indicando i propri dati e i fatti contestati. Il reclamo viene protocollato e assegnato all'ufficio competente.

L'Ufficio Relazioni con il Pubblico risponde **entro trenta giorni** dalla presentazione. Quando il reclamo riguarda più uffici, la risposta è coordinata da un tavolo di coordinamento intersettoriale.

I reclami e gli indicatori sulla loro gestione entrano nel Rapporto annuale di valutazione della Carta e nel Piano di miglioramento della qualità.`},
	{"qualita", "Come misuriamo e miglioriamo la qualità", `Per ogni servizio la Carta indica gli **standard di qualità** che l'ente si impegna a rispettare, con l'indicatore e il valore obiettivo. Ogni anno i valori misurati, i reclami e i risultati dei questionari di soddisfazione sono raccolti nel Rapporto annuale di valutazione; le azioni di miglioramento sono descritte nel Piano di miglioramento.

Il tuo parere conta: puoi compilare il questionario di gradimento che trovi in fondo alla guida sintetica della Carta e consegnarlo all'ufficio, e presentare in ogni momento suggerimenti e segnalazioni.`},
	{"siti-utili", "Siti istituzionali utili", `- [INPS](https://www.inps.it) — prestazioni previdenziali e assistenziali, ISEE
- [Ministero del Lavoro e delle Politiche Sociali](https://www.lavoro.gov.it)
- [Portale dell'assegno unico e dei servizi alle famiglie](https://www.inps.it/it/it/dati-e-bilanci/osservatori-statistici-e-altre-statistiche/assegno-unico-universale.html)
- [Dipartimento per le Pari Opportunità — numero antiviolenza 1522](https://www.1522.eu)`},
}
