package demodata

// The word lists the generator draws from. English and Polish names, since
// the app speaks both; emails transliterate them to ASCII.

var firstNames = []string{
	"Anna", "Piotr", "Maria", "Krzysztof", "Katarzyna", "Tomasz", "Agnieszka", "Paweł", "Małgorzata", "Michał",
	"Zofia", "Łukasz", "Joanna", "Marcin", "Ewa", "Jakub", "Magdalena", "Grzegorz", "Aleksandra", "Wojciech",
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas",
}

var lastNames = []string{
	"Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski", "Zielińska", "Szymański", "Woźniak",
	"Dąbrowski", "Kozłowska", "Jankowski", "Mazur", "Kwiatkowska", "Krawczyk", "Piotrowski", "Grabowska", "Nowakowski", "Pawłowska",
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee",
	"Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
}

var companies = []string{
	"", "", "Acme Manufacturing", "Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Globex", "Initech",
	"Umbrella Logistics", "Wayne Enterprises", "Stark Industries", "Tyrell Systems", "Hooli", "Vandelay Imports",
	"Polskie Koleje Demo", "Wydawnictwo Przykład", "Huta Przykładowa", "Bank Demonstracyjny",
}

var countries = []string{"US", "US", "US", "GB", "PL", "PL", "CA", "DE", "FR", "IE"}

var emailDomains = []string{"example.com", "example.org", "example.net"}

var levels = []string{"Introduction to", "Intermediate", "Advanced", "Practical", "Hands-on", "Essentials of", "Mastering"}

var subjects = []string{
	"Excel", "Project Management", "Python", "SQL", "Public Speaking", "Leadership", "Negotiation", "Data Analysis",
	"Cybersecurity", "First Aid", "Health and Safety", "GDPR", "Time Management", "Customer Service", "Agile",
	"Scrum", "Kubernetes", "Go Programming", "Accounting", "Budgeting", "Procurement", "Forklift Operation",
	"Welding", "Lean Six Sigma", "Business English", "Język polski w biznesie", "Power BI", "Tableau", "Photoshop",
	"Technical Writing",
}

var focuses = []string{
	"Pivot Tables", "Formulas", "Risk", "Stakeholders", "Testing", "Reporting", "Dashboards", "Automation",
	"Fundamentals", "Best Practices", "Certification Prep", "Workshop", "Case Studies", "Bootcamp", "Refresher",
	"Team Skills", "Compliance", "Tools", "Planning", "Zarządzanie czasem",
}

var departmentNames = []string{
	"Finance", "Human Resources", "Information Technology", "Marketing", "Sales", "Operations", "Legal",
	"Procurement", "Customer Support", "Research and Development", "Engineering", "Quality Assurance",
	"Logistics", "Facilities", "Communications", "Compliance", "Internal Audit", "Treasury", "Product",
	"Design", "Data Science", "Security", "Training", "Health and Safety", "Manufacturing", "Supply Chain",
	"Public Relations", "Strategy", "Business Development", "Investor Relations", "Risk Management",
	"Tax", "Payroll", "Customer Success", "Field Service", "Warehouse", "Fleet", "Sustainability",
	"Corporate Affairs", "Partnerships", "Architecture", "Infrastructure", "Networks", "Service Desk",
	"Analytics", "Content", "Events", "Recruitment", "Learning and Development", "Administration",
}

// ascii transliterates the Polish letters of the name lists for emails.
func ascii(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case 'ą':
			r = 'a'
		case 'ć':
			r = 'c'
		case 'ę':
			r = 'e'
		case 'ł', 'Ł':
			r = 'l'
		case 'ń':
			r = 'n'
		case 'ó':
			r = 'o'
		case 'ś', 'Ś':
			r = 's'
		case 'ź', 'ż', 'Ż', 'Ź':
			r = 'z'
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			out = append(out, r)
		}
	}
	return string(out)
}
