Console.WriteLine("Quickstart: coming with the array API.");
