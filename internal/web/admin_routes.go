package web

// adminRoutes are the system-management pages (users, departments, logs).
func (s *Server) adminRoutes() []Route { return nil }
